-- `require(".crypto.kdf")` without loading `.crypto` first: the same table as crypto.kdf.
return require(".crypto").kdf
