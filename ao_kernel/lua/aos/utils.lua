-- Functional helpers for ao processes (the `Utils` global in aos). Multi-argument helpers are
-- curried: `utils.map(f, t)` and `utils.map(f)(t)` give the same result.
local utils = { _version = "0.0.5" }

local unpack = table.unpack

-- Pattern helpers live in `.patterns`; load it only when first used.
function utils.matchesPattern(...)
  return require(".patterns").matchesPattern(...)
end

function utils.matchesSpec(...)
  return require(".patterns").matchesSpec(...)
end

-- True for tables whose keys are exactly the positive integers 1..#t (empty tables included).
function utils.isArray(t)
  if type(t) ~= "table" then return false end
  local highest = 0
  for k in pairs(t) do
    if type(k) ~= "number" or k <= 0 or k % 1 ~= 0 then return false end
    if k > highest then highest = k end
  end
  return highest == #t
end
local isArray = utils.isArray

-- Appends two argument packs, keeping explicit nils.
local function join(first, n1, ...)
  local all = { unpack(first, 1, n1) }
  local n2 = select("#", ...)
  for i = 1, n2 do all[n1 + i] = (select(i, ...)) end
  return all, n1 + n2
end

-- Collect arguments over several calls until `arity` of them have arrived, then call `fn`.
function utils.curry(fn, arity)
  assert(type(fn) == "function", "function is required as first argument")
  arity = arity or debug.getinfo(fn, "u").nparams
  if arity < 2 then return fn end
  local function collect(got, count)
    return function(...)
      local args, n = join(got, count, ...)
      if n >= arity then return fn(unpack(args, 1, n)) end
      return collect(args, n)
    end
  end
  return collect({}, 0)
end
local curry = utils.curry

local function need_array(t, what)
  assert(type(t) == "table" and isArray(t), what)
end

utils.concat = curry(function(a, b)
  need_array(a, "first argument should be a table that is an array")
  need_array(b, "second argument should be a table that is an array")
  local out = {}
  for i = 1, #a do out[#out + 1] = a[i] end
  for i = 1, #b do out[#out + 1] = b[i] end
  return out
end, 2)

-- fn(accumulator, value, key); with a nil initial value the first element seeds the result.
utils.reduce = curry(function(fn, initial, t)
  assert(type(fn) == "function", "first argument should be a function that accepts (result, value, key)")
  need_array(t, "third argument should be a table that is an array")
  local acc = initial
  for k = 1, #t do
    if acc == nil then
      acc = t[k]
    else
      acc = fn(acc, t[k], k)
    end
  end
  return acc
end, 3)

-- fn(value, key) for each element; results keep their positions.
utils.map = curry(function(fn, data)
  assert(type(fn) == "function", "first argument should be a unary function")
  need_array(data, "second argument should be an Array")
  local out = {}
  for k = 1, #data do out[k] = fn(data[k], k) end
  return out
end, 2)

utils.filter = curry(function(fn, data)
  assert(type(fn) == "function", "first argument should be a unary function")
  need_array(data, "second argument should be an Array")
  local out = {}
  for k = 1, #data do
    local v = data[k]
    if fn(v) then out[#out + 1] = v end
  end
  return out
end, 2)

utils.find = curry(function(fn, t)
  assert(type(fn) == "function", "first argument should be a unary function")
  assert(type(t) == "table", "second argument should be a table")
  for k = 1, #t do
    if fn(t[k]) then return t[k] end
  end
  return nil
end, 2)

utils.propEq = curry(function(name, value, object)
  assert(type(name) == "string", "first argument should be a String")
  assert(type(object) == "table", "third argument should be a table<object>")
  return object[name] == value
end, 3)

function utils.reverse(data)
  need_array(data, "argument needs to be a table that is an array")
  local out, n = {}, #data
  for i = n, 1, -1 do out[n - i + 1] = data[i] end
  return out
end

-- compose(f, g, h)(v) == f(g(h(v))).
function utils.compose(...)
  local steps = table.pack(...)
  return function(v)
    local result = v
    for i = steps.n, 1, -1 do result = steps[i](result) end
    return result
  end
end

utils.prop = curry(function(name, object)
  return object[name]
end, 2)

utils.includes = curry(function(value, t)
  need_array(t, "second argument should be a table that is an array")
  for k = 1, #t do
    if t[k] == value then return true end
  end
  return false
end, 2)

-- Deterministic key order: numbers ascending, then strings, then other types grouped by name.
local function key_before(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then
    if ta == "number" or tb == "number" then return ta == "number" end
    return ta < tb
  end
  if ta == "number" or ta == "string" then return a < b end
  if ta == "boolean" then return b and not a end
  return false
end

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks, key_before)
  return ks
end

function utils.keys(t)
  assert(type(t) == "table", "argument needs to be a table")
  return sorted_keys(t)
end

function utils.values(t)
  assert(type(t) == "table", "argument needs to be a table")
  local out = {}
  for _, k in ipairs(sorted_keys(t)) do out[#out + 1] = t[k] end
  return out
end

return utils
