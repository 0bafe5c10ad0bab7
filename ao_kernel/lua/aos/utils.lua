-- Functional helpers for ao processes (the `Utils` global in aos). The two- and three-argument
-- helpers are curried like aos's: `utils.map(f, t)` and `utils.map(f)(t)` give the same result.
-- Traversals follow `pairs` order, as aos does.
local utils = {}
utils._version = "0.0.5"

function utils.matchesPattern(...)
  return require(".patterns").matchesPattern(...)
end

function utils.matchesSpec(...)
  return require(".patterns").matchesSpec(...)
end

-- Argument checks raise from the helper that called `check`, like an `assert` there would.
local function check(ok, message)
  if not ok then error(message, 2) end
end

-- Keys in `pairs` order.
local function walk(tbl)
  local list = {}
  for key in pairs(tbl) do list[#list + 1] = key end
  return list
end

-- Only positive whole-number keys, the largest of them being the length.
local function array_like(tbl)
  local top = 0
  for key in pairs(tbl) do
    if type(key) ~= "number" or key < 1 or key % 1 ~= 0 then return false end
    top = math.max(top, key)
  end
  return top == #tbl
end

-- Curried functions collect one call's arguments at a time. As in aos, when an early call
-- passes several arguments but not enough, only the first of them is kept.
function utils.curry(fn, arity)
  check(type(fn) == "function", "function is required as first argument")
  if arity == nil then arity = debug.getinfo(fn, "u").nparams end
  if 2 > arity then return fn end
  return function(...)
    local given = { ... }
    if #given >= arity then return fn(table.unpack(given)) end
    local first = given[1]
    return utils.curry(function(...) return fn(first, ...) end, arity - #given)
  end
end

utils.concat = utils.curry(function(a, b)
  check(type(a) == "table", "first argument should be a table that is an array")
  check(type(b) == "table", "second argument should be a table that is an array")
  check(array_like(a), "first argument should be a table")
  check(array_like(b), "second argument should be a table")
  local joined = {}
  for i = 1, #a do table.insert(joined, a[i]) end
  for i = 1, #b do table.insert(joined, b[i]) end
  return joined
end, 2)

-- fn(accumulated, value, key); without an initial value the first element starts it.
utils.reduce = utils.curry(function(fn, initial, t)
  check(type(fn) == "function", "first argument should be a function that accepts (result, value, key)")
  check(type(t) == "table" and array_like(t), "third argument should be a table that is an array")
  local acc = initial
  for _, key in ipairs(walk(t)) do
    if acc == nil then
      acc = t[key]
    else
      acc = fn(acc, t[key], key)
    end
  end
  return acc
end, 3)

utils.map = utils.curry(function(fn, data)
  check(type(fn) == "function", "first argument should be a unary function")
  check(type(data) == "table" and array_like(data), "second argument should be an Array")
  local mapped = {}
  for _, key in ipairs(walk(data)) do mapped[key] = fn(data[key], key) end
  return mapped
end, 2)

utils.filter = utils.curry(function(fn, data)
  check(type(fn) == "function", "first argument should be a unary function")
  check(type(data) == "table" and array_like(data), "second argument should be an Array")
  local kept = {}
  for _, key in ipairs(walk(data)) do
    if fn(data[key]) then table.insert(kept, data[key]) end
  end
  return kept
end, 2)

-- The first value (in traversal order) that fn accepts; nothing at all when none does.
utils.find = utils.curry(function(fn, t)
  check(type(fn) == "function", "first argument should be a unary function")
  check(type(t) == "table", "second argument should be a table that is an array")
  for _, key in ipairs(walk(t)) do
    if fn(t[key]) then return t[key] end
  end
end, 2)

utils.propEq = utils.curry(function(name, value, object)
  check(type(name) == "string", "first argument should be a string")
  check(type(value) == "string", "second argument should be a string")
  check(type(object) == "table", "third argument should be a table<object>")
  return object[name] == value
end, 3)

function utils.reverse(data)
  check(type(data) == "table", "argument needs to be a table that is an array")
  local size = #data
  return utils.reduce(function(out, v, key)
    out[size - key + 1] = v
    return out
  end, {}, data)
end

-- compose(f, g, h)(v) == f(g(h(v))), one value passed along; each step is checked when reached.
utils.compose = utils.curry(function(...)
  local steps = table.pack(...)
  return function(v)
    local value = v
    for i = steps.n, 1, -1 do
      check(type(steps[i]) == "function", "each argument needs to be a function")
      value = steps[i](value)
    end
    return value
  end
end, 2)

utils.prop = utils.curry(function(name, object)
  return object[name]
end, 2)

utils.includes = utils.curry(function(value, t)
  check(type(t) == "table", "argument needs to be a table")
  check(array_like(t), "argument should be a table that is an array")
  for _, key in ipairs(walk(t)) do
    if t[key] == value then return true end
  end
  return false
end, 2)

function utils.keys(t)
  check(type(t) == "table", "argument needs to be a table")
  return walk(t)
end

function utils.values(t)
  check(type(t) == "table", "argument needs to be a table")
  local out = {}
  for _, key in ipairs(walk(t)) do table.insert(out, t[key]) end
  return out
end

-- "hELLO" -> "Hello"; anything that is not a string comes back unchanged.
function utils.capitalize(s)
  if type(s) ~= "string" then return s end
  return s:sub(1, 1):upper() .. s:sub(2):lower()
end

-- "data-protocol" / "data_protocol" -> "Data-Protocol"; non-strings come back unchanged.
function utils.normalize(s)
  if type(s) ~= "string" then return s end
  local words = {}
  for word in (s .. "-"):gmatch("(.-)[-_]") do words[#words + 1] = utils.capitalize(word) end
  return table.concat(words, "-")
end

return utils
