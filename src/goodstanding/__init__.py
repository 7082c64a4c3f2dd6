"""goodstanding: an explainable account-standing engine for online communities."""
