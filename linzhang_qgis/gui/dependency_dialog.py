"""The dialog that lists the optional packages and installs the missing ones into the QGIS profile."""
from __future__ import annotations

import os

from qgis.PyQt import uic
from qgis.PyQt.QtCore import QProcess, QProcessEnvironment
from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox

from .. import dependencies
from ..i18n import tr

PLUGIN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORM_CLASS, _ = uic.loadUiType(os.path.join(PLUGIN_DIR, "forms", "dependency_dialog.ui"))


class DependencyDialog(QDialog, FORM_CLASS):
    def __init__(self, parent, target_folder: str) -> None:
        super().__init__(parent)
        self.setupUi(self)
        self.target_folder = target_folder
        self.process: QProcess | None = None
        self.commands: list[list[str]] = []
        self.folderLabel.setText(tr("Installed into: {}").format(target_folder))
        self.installButton.clicked.connect(self.install)
        self.buttonBox.button(QDialogButtonBox.StandardButton.Close).clicked.connect(self.reject)
        self.refresh()

    def refresh(self) -> None:
        self.packageList.clear()
        missing = set(dependencies.missing_packages())
        for name, (purpose_zh, purpose_en) in dependencies.PACKAGES.items():
            state = tr("missing") if name in missing else tr("installed")
            self.packageList.addItem(f"{name}: {state} ({purpose_zh} / {purpose_en})")
        self.installButton.setEnabled(bool(missing))

    def install(self) -> None:
        os.makedirs(self.target_folder, exist_ok=True)
        self.installButton.setEnabled(False)
        self.commands = dependencies.install_commands(PLUGIN_DIR, self.target_folder)
        self._run_step(0)

    def _run_step(self, step: int) -> None:
        command = self.commands[step]
        self.logView.appendPlainText(" ".join(command))
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        environment = QProcessEnvironment.systemEnvironment()
        for key, value in dependencies.install_environment(PLUGIN_DIR, {}, step).items():
            environment.insert(key, value)
        self.process.setProcessEnvironment(environment)
        self.process.readyReadStandardOutput.connect(self._show_output)
        self.process.finished.connect(lambda exit_code, _status: self._finished(step, exit_code))
        self.process.start(command[0], command[1:])

    def _show_output(self) -> None:
        data = bytes(self.process.readAllStandardOutput()).decode("utf-8", "replace")
        self.logView.appendPlainText(data.rstrip())

    def _finished(self, step: int, exit_code: int) -> None:
        if exit_code == 0 and step + 1 < len(self.commands):
            self._run_step(step + 1)
            return
        dependencies.activate(self.target_folder)
        if exit_code == 0:
            self.logView.appendPlainText(tr("Done. Restart QGIS so that every tool sees the new packages."))
        else:
            self.logView.appendPlainText(tr("pip failed (exit code {}). Without pip in QGIS's Python, "
                                            "run make install from the plugin's source folder, or "
                                            "apt install python3-pip.").format(exit_code))
        self.refresh()
