"""Every write on signals, one module per entity."""
