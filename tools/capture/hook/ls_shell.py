"""Run Python code inside Label Studio's Django (same settings/DB as the capture server).

Usage: python ls_shell.py < script.py   (env as for the server). The code sees Django set up."""
import os
import pathlib
import sys

import label_studio

LS_PATH = str(pathlib.Path(label_studio.__file__).parent.absolute())
sys.path.insert(0, LS_PATH)
os.environ['DJANGO_SETTINGS_MODULE'] = 'label_studio.core.settings.label_studio'
import django  # noqa: E402

django.setup()
code = sys.stdin.read()
exec(compile(code, '<capture-shell>', 'exec'), {'__name__': '__capture_shell__'})
