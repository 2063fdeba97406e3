"""Loaded by Python at start-up because tools/capture/hook is on PYTHONPATH (capture runs only).

When $LS_CAPTURE_LOG is set, waits for Label Studio's `webhooks.utils` module to be imported
and then wraps its emit functions (ls_capture_hook.recorder.install)."""
import importlib.abc
import importlib.util
import os
import sys

TARGET = 'webhooks.utils'


class _PostImportFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname != TARGET:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return None
        orig_exec = spec.loader.exec_module

        def exec_module(module):
            orig_exec(module)
            from ls_capture_hook import recorder

            recorder.install(module)
            sys.meta_path[:] = [f for f in sys.meta_path if f is not self]

        spec.loader.exec_module = exec_module
        return spec


if os.environ.get('LS_CAPTURE_LOG'):
    sys.meta_path.insert(0, _PostImportFinder())
