"""Import resolution: from a module's imports to the values that satisfy them."""
