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
local safe = ...

local function text(v)
  if v == nil then return nil end
  local t = type(v)
  if t == "string" then return safe(v) end
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
  local tags = {}
  for i = 1, #flat, 2 do
    tags[#tags + 1] = { name = flat[i], value = flat[i + 1] }
  end
  return tags
end

local env_parts
function cu.set_env(pid, owner, process_tags, module_id, module_owner, module_tags)
  env_parts = { pid, owner, process_tags, module_id, module_owner, module_tags }
end

local function fresh_env()
  local p = env_parts
  return {
    Process = { Id = p[1], Owner = p[2], Tags = pairs_of(p[3]) },
    Module = { Id = p[4], Owner = p[5], Tags = pairs_of(p[6]) },
  }
end

-- Flatten tags for the host: name1, value1, name2, value2, ...
local function flat_tags(tags, out)
  if type(tags) ~= "table" then return out end
  if tags[1] ~= nil or next(tags) == nil then
    for _, tag in ipairs(tags) do
      out[#out + 1] = text(tag.name)
      out[#out + 1] = text(tag.value)
    end
  else
    local names = {}
    for name in pairs(tags) do names[#names + 1] = tostring(name) end
    table.sort(names)
    for _, name in ipairs(names) do
      out[#out + 1] = name
      out[#out + 1] = text(tags[name])
    end
  end
  return out
end

local function export(res)
  if type(res) ~= "table" then
    return { "", nil, "process.handle returned " .. type(res) .. " instead of a result table" }
  end
  local out, prompt = res.Output, nil
  if type(out) == "table" then
    prompt = out.prompt
    out = out.data
  end
  local messages, spawns, assigns = {}, {}, {}
  for _, m in ipairs(res.Messages or {}) do
    messages[#messages + 1] = flat_tags(m.Tags, { text(m.Target) or false, text(m.Data) or "",
      text(m.Anchor) or false })
  end
  for _, s in ipairs(res.Spawns or {}) do
    spawns[#spawns + 1] = flat_tags(s.Tags, { text(s.Data) or "", text(s.Anchor) or false })
  end
  for _, a in ipairs(res.Assignments or {}) do
    local entry = { text(a.Message) or false }
    for _, pid in ipairs(a.Processes or {}) do entry[#entry + 1] = text(pid) end
    assigns[#assigns + 1] = entry
  end
  local err = res.Error
  if err ~= nil then err = text(err) end
  return { text(out) or "", text(prompt), err, messages, spawns, assigns }
end

function cu.handle(id, owner, from, target, data, ts, height, nonce, chain, cron, read_only,
                   forwarded_by, flat)
  local msg = {
    Id = id or nil, Owner = owner, From = from, Target = target, Data = data,
    Tags = pairs_of(flat), Epoch = 0, Nonce = nonce or nil, Timestamp = ts,
    ["Block-Height"] = height, ["Hash-Chain"] = chain or nil, Cron = cron,
  }
  if forwarded_by then msg["Forwarded-By"] = forwarded_by end
  if read_only then msg["Read-Only"] = true end
  return export(process.handle(msg, fresh_env()))
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

return cu
