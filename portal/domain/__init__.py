"""Pure, typed domain rules: no Flask, no database; plain values in, values out."""
