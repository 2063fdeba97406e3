"""Django settings for the capture run: Label Studio's own settings plus the recording hook app."""
from label_studio.core.settings.label_studio import *  # noqa: F401,F403
from label_studio.core.settings.label_studio import INSTALLED_APPS as _APPS

INSTALLED_APPS = list(_APPS) + ['ls_capture_hook']
