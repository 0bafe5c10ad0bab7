-- `require(".crypto.digest")` without loading `.crypto` first: the same table as crypto.digest.
return require(".crypto").digest
