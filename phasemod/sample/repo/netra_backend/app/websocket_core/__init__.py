"""websocket_core package."""
