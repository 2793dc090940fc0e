"""The app.io package."""
