"""The node's directory: regions, departments, and the API clients that act for them."""
