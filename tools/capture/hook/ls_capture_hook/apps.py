from django.apps import AppConfig


class CaptureHookConfig(AppConfig):
    name = 'ls_capture_hook'
    default = True

    def ready(self):
        from . import recorder

        recorder.install()
