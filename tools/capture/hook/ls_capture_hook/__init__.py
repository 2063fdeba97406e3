default_app_config = 'ls_capture_hook.apps.CaptureHookConfig'
