-- `require(".crypto.mac")` without loading `.crypto` first: the same table as crypto.mac.
return require(".crypto").mac
