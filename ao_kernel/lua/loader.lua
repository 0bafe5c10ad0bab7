-- CU-side glue, run privately in each process runtime: it builds the message and env tables the
-- way ao's compute unit hands them to `process.handle`, and flattens results for the host.
-- ao's Lua 5.3 build ships the 5.2 `bit32` library as a global.
local has_bit32, bit32_module = pcall(require, "bit32")
if has_bit32 then bit32 = bit32_module end
local process = require(".process")
local json = require("json")

local cu = {}
local fmt, mtype, type, tostring = string.format, math.type, type, tostring

-- Strings for the host: bytes that are not UTF-8 are escaped (see ao_kernel/lua/codec.py).
-- `is_text` tells whether a string is text the host can decode as it is.
local safe, set_now, set_budget, is_text = ...
local concat = table.concat

-- Whether text() had to escape bytes in the result being exported (the host then decodes).
local escaped = false
-- While a result is exported, its strings are only collected, and checked all at once at the
-- end (one scan of them joined by NUL bytes, which no UTF-8 sequence spans): nearly every result
-- is text as it is. When it is not, the result is exported again with `careful` set, escaping
-- string by string (see export_into).
local careful, pending, npending = false, {}, 0

local function text(v)
  if v == nil then return nil end
  local t = type(v)
  if t == "string" then
    if not careful then
      npending = npending + 1
      pending[npending] = v
      return v
    end
    local s = safe(v)
    if s ~= v then escaped = true end
    return s
  end
  if t == "number" then
    if mtype(v) == "integer" then return fmt("%d", v) end
    return fmt("%.14g", v)
  end
  if t == "table" then
    local ok, encoded = pcall(json.encode, v)
    if ok then return encoded end
  end
  return tostring(v)
end

local function pairs_of(flat)
  local tags, n = {}, 0
  for i = 1, #flat, 2 do
    n = n + 1
    tags[n] = { name = flat[i], value = flat[i + 1] }
  end
  return tags
end

-- The env is the same for every message of a process, but each message gets new tables (as
-- from ao's CU), so it is made by a function compiled once from a table constructor: every
-- table is created at its final size, with no loop.
local make_env

local function tags_source(flat)
  local parts = {}
  for i = 1, #flat, 2 do
    parts[#parts + 1] = fmt("{ name = %q, value = %q }", flat[i], flat[i + 1])
  end
  return "{ " .. table.concat(parts, ", ") .. " }"
end

function cu.set_env(pid, owner, process_tags, module_id, module_owner, module_tags)
  local src = fmt("return function() return { Process = { Id = %q, Owner = %q, Tags = %s }, "
    .. "Module = { Id = %q, Owner = %q, Tags = %s } } end", pid, owner,
    tags_source(process_tags), module_id, module_owner, tags_source(module_tags))
  make_env = load(src, "=env", "t", {})()
end

local function fresh_env()
  return make_env()
end

-- Appends tags for the host: count of values, then name1, value1, name2, value2, ...
local function flat_tags(tags, out, n)
  local at = n + 1
  out[at] = 0
  n = at
  if type(tags) ~= "table" then return n end -- no tags: the count stays 0
  if tags[1] ~= nil or next(tags) == nil then
    for _, tag in ipairs(tags) do
      local name, value = text(tag.name), text(tag.value)
      if name ~= nil and value ~= nil then -- a tag needs both
        out[n + 1], out[n + 2] = name, value
        n = n + 2
      end
    end
  else
    local names = {}
    for name in pairs(tags) do names[#names + 1] = tostring(name) end
    table.sort(names)
    for _, name in ipairs(names) do
      out[n + 1], out[n + 2] = name, text(tags[name])
      n = n + 2
    end
  end
  out[at] = n - at
  return n
end

local unpack, UNPACK_MAX = table.unpack, 4000

-- One flat list, so the host reads a result in a single pass (absent values are false):
-- output, prompt, error, #messages, then per message: target, data, anchor, tags...;
-- #spawns, per spawn: data, anchor, tags...; #assignments, per one: message, #pids, pids...;
-- last, whether any text in it holds escaped bytes. Written into `f` after index `n`; returns
-- the index of its last value.
local export_body

local function export_into(res, f, n)
  for i = 1, npending do pending[i] = nil end -- left by an export that failed half-way
  careful, npending = false, 0
  local last = export_body(res, f, n)
  if npending > 0 then
    local all_text = is_text(concat(pending, "\0", 1, npending))
    for i = 1, npending do pending[i] = nil end
    npending = 0
    if not all_text then
      careful = true
      last = export_body(res, f, n)
      careful = false
    end
  end
  return last
end

function export_body(res, f, n)
  if type(res) ~= "table" then
    f[n + 1], f[n + 2] = "", false
    f[n + 3] = "process.handle returned " .. type(res) .. " instead of a result table"
    f[n + 4], f[n + 5], f[n + 6], f[n + 7] = 0, 0, 0, false
    return n + 7
  end
  escaped = false
  local out, prompt = res.Output, nil
  if type(out) == "table" then
    prompt = out.prompt
    out = out.data
  end
  local err = res.Error
  if err ~= nil then err = text(err) end
  f[n + 1], f[n + 2], f[n + 3] = text(out) or "", text(prompt) or false, err or false
  -- Each section: a count slot, then its entries; the count is filled in after them.
  local at, count = n + 4, 0
  n = at
  for _, m in ipairs(res.Messages or {}) do
    count = count + 1
    f[n + 1], f[n + 2], f[n + 3] = text(m.Target) or false, text(m.Data) or "",
      text(m.Anchor) or false
    n = flat_tags(m.Tags, f, n + 3)
  end
  f[at] = count
  at = n + 1
  n, count = at, 0
  for _, sp in ipairs(res.Spawns or {}) do
    count = count + 1
    f[n + 1], f[n + 2] = text(sp.Data) or "", text(sp.Anchor) or false
    n = flat_tags(sp.Tags, f, n + 2)
  end
  f[at] = count
  at = n + 1
  n, count = at, 0
  for _, a in ipairs(res.Assignments or {}) do
    count = count + 1
    f[n + 1] = text(a.Message) or false
    local pids_at = n + 2
    n = pids_at
    for _, pid in ipairs(a.Processes or {}) do
      n = n + 1
      f[n] = text(pid)
    end
    f[pids_at] = n - pids_at
  end
  f[at] = count
  n = n + 1
  f[n] = escaped
  return n
end

-- Small results go back as multiple values (one conversion); big ones as the table.
local function handed_back(f, n)
  if n <= UNPACK_MAX then return unpack(f, 1, n) end
  return f
end

local function export(res)
  local f = {}
  return handed_back(f, export_into(res, f, 0))
end

local function message(id, owner, from, target, data, ts, height, nonce, chain, cron, read_only,
                       forwarded_by, ...)
  local msg = {
    Id = id or nil, Owner = owner, From = from, Target = target, Data = data,
    Tags = pairs_of({ ... }), Epoch = 0, Nonce = nonce or nil, Timestamp = ts,
    ["Block-Height"] = height, ["Hash-Chain"] = chain or nil, Cron = cron,
  }
  if forwarded_by then msg["Forwarded-By"] = forwarded_by end
  if read_only then msg["Read-Only"] = true end
  return msg
end

-- Arguments: id, owner, from, target, data, timestamp, then the rest `message` takes, the tags
-- last as name1, value1, name2, ... (extra arguments cost the host less than a table). The
-- sandbox clock is set to the timestamp first (what `os.time()` answers before aos sets it).
function cu.handle(id, owner, from, target, data, ts, ...)
  set_now(ts)
  return export(process.handle(message(id, owner, from, target, data, ts, ...), fresh_env()))
end

-- A copy of a value for the host to read: strings made safe, cycles kept as shared tables.
local function readable(v, seen)
  local t = type(v)
  if t == "string" then return safe(v) end
  if t ~= "table" then return v end
  if seen[v] then return seen[v] end
  local copy = {}
  seen[v] = copy
  for k, x in next, v do
    copy[readable(k, seen)] = readable(x, seen)
  end
  return copy
end

-- Runs a compiled read and returns its first value in host-readable form.
function cu.read(fn)
  return readable((fn()), {})
end

local function read_after(ok, value)
  if not ok then return false, safe(tostring(value)) end
  return true, readable(value, {})
end

-- Batches of messages come as one flat list: per message, `message`'s first twelve arguments,
-- then the number of tags and the tags' names and values (absent values are nil). Returns the
-- message at index `i` and the index of the next one.
local function message_at(b, i)
  local count, tags = b[i + 12], {}
  local j = i + 13
  for k = 1, count do
    tags[k] = { name = b[j], value = b[j + 1] }
    j = j + 2
  end
  local msg = {
    Id = b[i] or nil, Owner = b[i + 1], From = b[i + 2], Target = b[i + 3], Data = b[i + 4],
    Tags = tags, Epoch = 0, Nonce = b[i + 7] or nil, Timestamp = b[i + 5],
    ["Block-Height"] = b[i + 6], ["Hash-Chain"] = b[i + 8] or nil, Cron = b[i + 9],
  }
  if b[i + 11] then msg["Forwarded-By"] = b[i + 11] end
  if b[i + 10] then msg["Read-Only"] = true end
  return msg, j
end

-- The message at `i` of a batch again, with its own budget; returns the next index and the
-- result of `process.handle`.
local function handle_at(b, i, budget)
  set_budget(budget)
  set_now(b[i + 5])
  local msg, next_i = message_at(b, i)
  return next_i, process.handle(msg, fresh_env())
end

-- Replays of a batch of `count` kept messages, each with a budget of `budget` instructions;
-- nothing is returned.
function cu.replays(budget, batch, count)
  local i = 1
  for _ = 1, count do i = handle_at(batch, i, budget) end
end

-- Evaluations of a batch of `count` messages, each with a budget of `budget` instructions,
-- stopping after the first that ends in error (the host rolls that one back). Returns one flat
-- list: per message, the length of its exported result (see `export_into`), then the result.
function cu.handle_many(budget, batch, count)
  local out, n, i = {}, 0, 1
  for _ = 1, count do
    local res
    i, res = handle_at(batch, i, budget)
    local at = n + 1
    n = export_into(res, out, at)
    out[at] = n - at
    if type(res) ~= "table" or res.Error ~= nil then break end
  end
  return handed_back(out, n)
end

-- Replays of a batch of `count` kept messages, `fn` read after each: returns ok1, value1, ok2,
-- value2, ... (value: host-readable, or the error text when the read failed). Every message
-- and its read get a budget of `budget` instructions.
function cu.replay_reads(fn, budget, batch, count)
  local out, n, i = {}, 0, 1
  for _ = 1, count do
    i = handle_at(batch, i, budget)
    local ok, value = read_after(pcall(fn))
    out[n + 1], out[n + 2] = ok, value
    n = n + 2
  end
  return unpack(out, 1, n)
end

return cu
