"""Every algorithm of the provider is well described: help, tags, a help text on every parameter."""
from __future__ import annotations

import pytest
from qgis.core import QgsApplication


def provider_algorithms():
    from linzhang_qgis.provider import algorithm_classes

    return [cls() for cls in algorithm_classes()]


@pytest.mark.parametrize("algorithm", provider_algorithms(), ids=lambda a: a.name())
def test_algorithm_is_documented(processing, algorithm):
    registered = QgsApplication.processingRegistry().algorithmById("linzhang:" + algorithm.name())
    assert registered is not None
    assert registered.name() == registered.name().lower() and " " not in registered.name()
    assert len(registered.shortHelpString()) > 80
    assert registered.displayName() and registered.group() and registered.groupId()
    assert len(registered.tags()) >= 2
    assert registered.parameterDefinitions(), "an algorithm without parameters"
    for parameter in registered.parameterDefinitions():
        assert parameter.name() == parameter.name().upper(), parameter.name()
        assert parameter.help(), f"{parameter.name()} has no help text"
        assert parameter.description(), parameter.name()
    assert registered.outputDefinitions()


def test_instances_are_independent(processing):
    algorithm = QgsApplication.processingRegistry().algorithmById("linzhang:createworkspace")
    copy = algorithm.create()
    assert copy is not algorithm and copy.name() == algorithm.name()
