-- ao_kernel: the `ao` object a process uses to talk to the network.
-- Written for ao_kernel from the behaviour described in docs/spec (aos-behaviour.md §1.4, §2.2).
-- Everything a process sends, spawns or assigns goes into `ao.outbox`; the compute unit reads
-- the outbox through `ao.result` after each message.
--
-- Note on parameter names: Lua names the local in "attempt to index a nil value (local 'x')",
-- and those texts reach the caller as message errors. Where a public function can fail that way
-- its parameter keeps the name the ao network reports (`msg`, `env`, `result`).

-- When the module is loaded again (a process may re-require it), keep the live state.
local live = rawget(_G, "ao")
if type(live) ~= "table" then live = {} end

local function empty_outbox()
  return { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
end

local ao = {}
ao._version = "0.0.6"
ao.id = live.id or ""
ao._module = live._module or ""
ao.authorities = live.authorities or {}
ao.reference = live.reference or 0
ao.outbox = live.outbox or empty_outbox()
ao.assignables = live.assignables
ao.env = live.env

-- Tag names that stay in msg.Tags and are never copied onto the message root.
ao.nonExtractableTags = {
  "Data-Protocol", "Variant", "From-Process", "From-Module", "Type", "From", "Owner",
  "Anchor", "Target", "Data", "Tags", "Read-Only",
}

-- Keys that a forwarded message does not inherit from the message it forwards.
ao.nonForwardableTags = {
  "Data-Protocol", "Variant", "From-Process", "From-Module", "Type", "From", "Owner",
  "Anchor", "Target", "Tags", "TagArray", "Hash-Chain", "Timestamp", "Nonce", "Epoch",
  "Signature", "Forwarded-By", "Pushed-For", "Read-Only", "Cron", "Block-Height",
  "Reference", "Id", "Reply-To",
}

-- Root keys of an outgoing message that are message fields rather than tags.
local FIELD_KEYS = { Target = true, Data = true, Anchor = true, Tags = true, From = true }

local function contains(list, wanted)
  local i = 1
  while list[i] ~= nil do
    if list[i] == wanted then return true end
    i = i + 1
  end
  return false
end

-- Tags given as a list: only positive integer keys, no holes.
local function looks_like_list(candidate)
  local n, top = 0, 0
  for key in pairs(candidate) do
    if math.type(key) ~= "integer" or key < 1 then return false end
    n = n + 1
    top = math.max(top, key)
  end
  return n == top
end

local function next_reference()
  local n = ao.reference + 1
  ao.reference = n
  return n
end

-- The sandbox's own `pairs` and `table.sort`, as they were when the library loaded.
local builtin_pairs, sort = pairs, table.sort

-- The keys of a plain table whose keys are all strings, in the order `pairs` visits them (it
-- sorts them), or nil when the quick way does not apply (other keys, a metatable, or a
-- `pairs` the process replaced), and the caller then uses `pairs` itself.
local function string_keys(t)
  if pairs ~= builtin_pairs or getmetatable(t) ~= nil then return nil end
  local keys, n = {}, 0
  for k in next, t do
    if type(k) ~= "string" then return nil end
    n = n + 1
    keys[n] = k
  end
  sort(keys)
  return keys, n
end

-- Builds the full tag list of an outgoing item: the fixed header, then the user's root keys,
-- then the user's Tags (list or map).
local function build_tags(header, user)
  local list = header
  local function push(name, value) list[#list + 1] = { name = name, value = value } end
  local keys, nk = string_keys(user)
  if keys then
    local n = #list
    for i = 1, nk do
      local key = keys[i]
      if not FIELD_KEYS[key] then
        n = n + 1
        list[n] = { name = key, value = user[key] }
      end
    end
  else
    for key, value in pairs(user) do
      if not FIELD_KEYS[key] then push(key, value) end
    end
  end
  local given = user.Tags
  if given == nil then return list end
  if looks_like_list(given) then
    for _, entry in ipairs(given) do list[#list + 1] = entry end
  else
    for key, value in pairs(given) do push(key, value) end
  end
  return list
end

-- The outbox keeps a plain copy; the caller gets the item plus its reply helpers.
local function enqueue(box, item)
  local stored = {}
  for k, v in next, item do stored[k] = v end -- `item` is ours: a plain table
  table.insert(box, stored)
end

-- Deep copy; shares nothing with the original, keeps metatables and cycles.
local function deep_copy(value, memo)
  if type(value) ~= "table" then return value end
  memo = memo or {}
  if memo[value] ~= nil then return memo[value] end
  local dup = {}
  memo[value] = dup
  for k, v in pairs(value) do
    dup[deep_copy(k, memo)] = deep_copy(v, memo)
  end
  return setmetatable(dup, getmetatable(value))
end

-- Copies extractable tags onto the message root; a later duplicate overwrites an earlier one.
-- ao.nonExtractableTags as a set, rebuilt only when the list (a public table) has changed.
local skip_list, skip_copy, skip_set = nil, {}, {}
local function non_extractable()
  local list = ao.nonExtractableTags
  if list == skip_list then
    local i = 1
    while true do
      local name = list[i]
      if name ~= skip_copy[i] then break end
      if name == nil then return skip_set end
      i = i + 1
    end
  end
  skip_list, skip_copy, skip_set = list, {}, {}
  local i = 1
  while list[i] ~= nil do
    skip_copy[i] = list[i]
    skip_set[list[i]] = true
    i = i + 1
  end
  return skip_set
end

local function normalize(msg)
  local tags = msg.Tags or {}
  local skip = non_extractable()
  for _, t in ipairs(tags) do
    local key = t.name
    if key == nil or not skip[key] then msg[key] = t.value end
  end
  return msg
end

-- A deep copy of msg without the keys a forward must not carry.
local function sanitize(msg)
  local dup = ao.clone(msg)
  local drop = {}
  for _, key in ipairs(ao.nonForwardableTags) do drop[key] = true end
  for key in pairs(dup) do
    if drop[key] then dup[key] = nil end
  end
  return dup
end

-- The comma separated parts of an Authority value, split once per distinct value (the same
-- Process tags come with every message).
local split_memo, split_count = {}, 0
local function split_commas(text)
  local parts = split_memo[text]
  if parts == nil then
    parts = {}
    for one in string.gmatch(text, "[^,]+") do parts[#parts + 1] = one end
    if split_count < 64 then
      split_memo[text], split_count = parts, split_count + 1
    end
  end
  return parts
end

-- Called at the start of every message with the process environment.
local function init(env)
  local tags = env.Process.TagArray or env.Process.Tags or {}
  local own_id = env.Process.Id
  if ao.id == "" then ao.id = own_id end
  local found, module_id = false, nil
  for _, t in ipairs(tags) do
    if t.name == "Module" then
      found, module_id = true, t.value
    elseif t.name == "Authority" and type(t.value) == "string" then
      -- A comma separated list; merged without duplicates.
      for _, one in ipairs(split_commas(t.value)) do
        if not contains(ao.authorities, one) then table.insert(ao.authorities, one) end
      end
    end
  end
  if found and ao._module == "" then ao._module = module_id end
  ao.outbox = empty_outbox()
  ao.env = env
end

local function log(value)
  local current = ao.outbox.Output
  if type(current) == "string" then
    current = { current }
    ao.outbox.Output = current
  end
  table.insert(current, value)
end

local function send(m)
  assert(type(m) == "table", "msg should be a table")
  local n = next_reference()
  local ref = tostring(n)
  local tags = build_tags({
    { name = "Data-Protocol", value = "ao" },
    { name = "Variant", value = "ao.TN.1" },
    { name = "Type", value = "Message" },
    { name = "Reference", value = ref },
  }, m)
  local item = { Target = m.Target, Data = m.Data, Anchor = string.format("%032d", n), Tags = tags }
  enqueue(ao.outbox.Messages, item)

  local function reply_pattern(from)
    return { From = from, ["X-Reference"] = ref }
  end
  -- item.onReply(handler) or item.onReply(from, handler): run handler once on the reply.
  function item.onReply(...)
    local argc = select("#", ...)
    if argc == 2 then
      local from, handler = ...
      Handlers.once(reply_pattern(from), handler)
    else
      Handlers.once(reply_pattern(item.Target), (...))
    end
  end
  -- item.receive([from]): suspend the running handler until the reply arrives.
  function item.receive(...)
    local from = item.Target
    if select("#", ...) == 1 then from = ... end
    return Handlers.receive(reply_pattern(from))
  end
  return item
end

local function spawn(module_id, m)
  assert(type(module_id) == "string", "Module source id is required!")
  assert(type(m) == "table", "Message must be a table")
  local n = next_reference()
  local ref = tostring(n)
  local tags = build_tags({
    { name = "Data-Protocol", value = "ao" },
    { name = "Variant", value = "ao.TN.1" },
    { name = "Type", value = "Process" },
    { name = "From-Process", value = ao.id },
    { name = "From-Module", value = ao._module },
    { name = "Module", value = module_id },
    { name = "Reference", value = ref },
  }, m)
  local item = { Data = m.Data or "NODATA", Anchor = string.format("%032d", n), Tags = tags }
  enqueue(ao.outbox.Spawns, item)

  -- The messenger tells the parent with Action=Spawned, From=parent and the spawn Reference.
  local parent = ao.id
  local function spawned_pattern()
    return { Action = "Spawned", From = parent, Reference = ref }
  end
  function item.onReply(callback)
    Handlers.once(spawned_pattern(), callback)
  end
  function item.receive()
    return Handlers.receive(spawned_pattern())
  end
  return item
end

-- Routing hints ride in From-Process as "<pid>&hint=<h>&ttl=<t>". The released aos parses
-- them but never records one: the only visible effect is an empty `ao._hints` registry once a
-- hinted message has been seen. Kept that way so that process state compares equal.
local function split(text, piece)
  local parts = {}
  for part in string.gmatch(text, piece) do parts[#parts + 1] = part end
  return parts
end

local function register_hint(msg)
  local tags = msg.Tags
  if type(tags) ~= "table" then return end
  local from = tags["From-Process"]
  if from == nil then return end
  local hint = split(from, "[^&]+")[2]
  if hint ~= nil and split(hint, "[^=]+")[2] ~= nil then
    ao._hints = ao._hints or {}
  end
end

local function assign(a)
  assert(type(a) == "table", "assignment should be a table")
  assert(type(a.Processes) == "table", "Processes should be a table")
  assert(type(a.Message) == "string", "Message should be a string")
  local pending = ao.outbox.Assignments
  table.insert(pending, a)
end

-- Trusted when the sender or the signer is one of the process authorities.
local function is_trusted(msg)
  for _, who in ipairs(ao.authorities) do
    if msg.From == who or msg.Owner == who then return true end
  end
  return false
end

-- The table the compute unit receives. An error anywhere wins over everything else.
local function to_result(result)
  local failure = result.Error or ao.outbox.Error
  if failure then return { Error = failure } end
  local box = ao.outbox
  local out = { Output = result.Output or box.Output }
  out.Messages, out.Spawns, out.Assignments = box.Messages, box.Spawns, box.Assignments
  return out
end

ao.clone = deep_copy
ao.normalize = normalize
ao.sanitize = sanitize
ao.init = init
ao.log = log
ao.clearOutbox = function() ao.outbox = empty_outbox() end
ao.send = send
ao.spawn = spawn
ao.registerHint = register_hint
ao.assign = assign
ao.isTrusted = is_trusted
ao.result = to_result

-- Assignment helpers (isAssignment, isAssignable, addAssignable, removeAssignable).
require(".assignment").init(ao)

return ao
