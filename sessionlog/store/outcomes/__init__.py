"""The derived outcome cache and the outcome queries answered from it."""
