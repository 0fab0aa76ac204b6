"""Small reusable widgets of the playground."""
