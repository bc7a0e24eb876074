"""Yuki sandbox: a local emulator of Yuki's SOAP web services (``/ws/<Service>.asmx``); see sandbox/README.md."""
