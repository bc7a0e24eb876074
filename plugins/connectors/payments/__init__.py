"""Payment status from the accounting tool back into Focus, and telling users about new payments."""
