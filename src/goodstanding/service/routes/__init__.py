"""The API's routes, one module per thing served."""
