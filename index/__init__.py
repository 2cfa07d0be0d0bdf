"""Sources in, citable passages out: parse, chunk, store, embed and search a deal's documents."""
