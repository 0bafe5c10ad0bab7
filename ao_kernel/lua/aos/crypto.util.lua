-- `require(".crypto.util")` without loading `.crypto` first: the same table as crypto.utils.
return require(".crypto").utils
