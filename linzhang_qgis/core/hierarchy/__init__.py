"""Chief responsibility areas (林长责任区): the four-level tree, its figures, its checks and its edits."""
