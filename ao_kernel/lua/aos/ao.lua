-- ao_kernel: the `ao` object a process uses to talk to the network.
-- Written for ao_kernel from the behaviour described in docs/spec (aos-behaviour.md §1.4, §2.2).
-- Everything a process sends, spawns or assigns goes into `ao.outbox`; the compute unit reads
-- the outbox through `ao.result` after each message.

-- When the module is loaded again (a process may re-require it), keep the live state.
local previous = rawget(_G, "ao")
if type(previous) ~= "table" then previous = {} end

local ao = {
  _version = "0.0.6",
  id = previous.id or "",
  _module = previous._module or "",
  authorities = previous.authorities or {},
  reference = previous.reference or 0,
  outbox = previous.outbox or { Output = {}, Messages = {}, Spawns = {}, Assignments = {} },
  assignables = previous.assignables,
  env = previous.env,
}

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

-- Root keys of an outgoing message that are fields of the message, not tags.
local MESSAGE_FIELDS = { Target = true, Data = true, Anchor = true, Tags = true, From = true }

local function member(list, value)
  for i = 1, #list do
    if list[i] == value then return true end
  end
  return false
end

-- A table counts as a tag list when every key is a positive integer and there are no holes.
local function is_sequence(t)
  local count, highest = 0, 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then return false end
    count = count + 1
    if k > highest then highest = k end
  end
  return highest == count
end

local function anchor_of(n)
  return string.format("%032d", n)
end

local function fresh_outbox()
  return { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
end

-- Appends the tags of a user message (root keys first, then its Tags list or map).
local function append_user_tags(tags, m)
  for key, value in pairs(m) do
    if not MESSAGE_FIELDS[key] then
      tags[#tags + 1] = { name = key, value = value }
    end
  end
  local extra = m.Tags
  if extra ~= nil then
    if is_sequence(extra) then
      for _, tag in ipairs(extra) do tags[#tags + 1] = tag end
    else
      for key, value in pairs(extra) do tags[#tags + 1] = { name = key, value = value } end
    end
  end
end

-- Deep copy; shares nothing with the original, keeps metatables and cycles.
function ao.clone(value, seen)
  if type(value) ~= "table" then return value end
  seen = seen or {}
  local done = seen[value]
  if done ~= nil then return done end
  local copy = {}
  seen[value] = copy
  for k, v in pairs(value) do
    copy[ao.clone(k, seen)] = ao.clone(v, seen)
  end
  return setmetatable(copy, getmetatable(value))
end

-- Copies extractable tags onto the message root; a later duplicate overwrites an earlier one.
function ao.normalize(msg)
  for _, tag in ipairs(msg.Tags or {}) do
    if not member(ao.nonExtractableTags, tag.name) then
      msg[tag.name] = tag.value
    end
  end
  return msg
end

-- A copy of msg without the keys a forward must not carry.
function ao.sanitize(msg)
  local copy = ao.clone(msg)
  for _, key in ipairs(ao.nonForwardableTags) do
    copy[key] = nil
  end
  return copy
end

-- Called at the start of every message with the process environment.
function ao.init(env)
  local proc = env.Process
  local tags = proc.TagArray or proc.Tags or {}
  if ao.id == "" then ao.id = proc.Id end
  if ao._module == "" then
    for _, tag in ipairs(tags) do
      if tag.name == "Module" then ao._module = tag.value end
    end
  end
  -- Authority tags may hold comma separated lists; merge them without duplicates.
  for _, tag in ipairs(tags) do
    if tag.name == "Authority" and type(tag.value) == "string" then
      for entry in string.gmatch(tag.value, "[^,]+") do
        if not member(ao.authorities, entry) then
          ao.authorities[#ao.authorities + 1] = entry
        end
      end
    end
  end
  ao.outbox = fresh_outbox()
  ao.env = env
end

function ao.log(value)
  if type(ao.outbox.Output) == "string" then
    ao.outbox.Output = { ao.outbox.Output }
  end
  table.insert(ao.outbox.Output, value)
end

function ao.clearOutbox()
  ao.outbox = fresh_outbox()
end

function ao.send(m)
  assert(type(m) == "table", "msg should be a table")
  ao.reference = ao.reference + 1
  local ref = tostring(ao.reference)
  local tags = {
    { name = "Data-Protocol", value = "ao" },
    { name = "Variant", value = "ao.TN.1" },
    { name = "Type", value = "Message" },
    { name = "Reference", value = ref },
  }
  append_user_tags(tags, m)
  local out = { Target = m.Target, Data = m.Data, Anchor = anchor_of(ao.reference), Tags = tags }

  local queued = {}
  for k, v in pairs(out) do queued[k] = v end
  table.insert(ao.outbox.Messages, queued)

  -- out.onReply(handler) or out.onReply(from, handler): run handler once on the reply.
  out.onReply = function(...)
    local from, resolver = out.Target, ...
    if select("#", ...) == 2 then from, resolver = ... end
    Handlers.once({ From = from, ["X-Reference"] = ref }, resolver)
  end
  -- out.receive([from]): suspend the running handler until the reply arrives.
  out.receive = function(...)
    local from = out.Target
    if select("#", ...) == 1 then from = ... end
    return Handlers.receive({ From = from, ["X-Reference"] = ref })
  end
  return out
end

function ao.spawn(module, m)
  assert(type(module) == "string", "Module source id is required!")
  assert(type(m) == "table", "Message must be a table")
  ao.reference = ao.reference + 1
  local ref = tostring(ao.reference)
  local tags = {
    { name = "Data-Protocol", value = "ao" },
    { name = "Variant", value = "ao.TN.1" },
    { name = "Type", value = "Process" },
    { name = "From-Process", value = ao.id },
    { name = "From-Module", value = ao._module },
    { name = "Module", value = module },
    { name = "Reference", value = ref },
  }
  append_user_tags(tags, m)
  local out = { Data = m.Data or "NODATA", Anchor = anchor_of(ao.reference), Tags = tags }

  local queued = {}
  for k, v in pairs(out) do queued[k] = v end
  table.insert(ao.outbox.Spawns, queued)

  -- The messenger tells the parent with Action=Spawned, From=parent and the spawn Reference.
  local spawned = { Action = "Spawned", From = ao.id, Reference = ref }
  out.onReply = function(callback)
    Handlers.once({ Action = spawned.Action, From = spawned.From, Reference = ref }, callback)
  end
  out.receive = function()
    return Handlers.receive({ Action = spawned.Action, From = spawned.From, Reference = ref })
  end
  return out
end

-- Routing hints ride in From-Process as "<pid>&hint=<h>&ttl=<t>". The released aos parses
-- them but never records one: the only visible effect is an empty `ao._hints` registry once a
-- hinted message has been seen. Kept that way so that process state compares equal.
function ao.registerHint(msg)
  local tags = msg.Tags
  if type(tags) ~= "table" then return end
  local from = tags["From-Process"]
  if from == nil then return end
  local segments = {}
  for segment in string.gmatch(from, "[^&]+") do segments[#segments + 1] = segment end
  if segments[2] == nil then return end
  local fields = {}
  for field in string.gmatch(segments[2], "[^=]+") do fields[#fields + 1] = field end
  if fields[2] ~= nil then
    ao._hints = ao._hints or {}
  end
end

function ao.assign(assignment)
  assert(type(assignment) == "table", "assignment should be a table")
  assert(type(assignment.Processes) == "table", "Processes should be a table")
  assert(type(assignment.Message) == "string", "Message should be a string")
  table.insert(ao.outbox.Assignments, assignment)
end

-- Trusted when the sender or the signer is one of the process authorities.
function ao.isTrusted(msg)
  for _, authority in ipairs(ao.authorities) do
    if msg.From == authority or msg.Owner == authority then return true end
  end
  return false
end

-- The table the compute unit receives. An error anywhere wins over everything else.
function ao.result(r)
  local failure = r.Error or ao.outbox.Error
  if failure then
    return { Error = failure }
  end
  return {
    Output = r.Output or ao.outbox.Output,
    Messages = ao.outbox.Messages,
    Spawns = ao.outbox.Spawns,
    Assignments = ao.outbox.Assignments,
  }
end

-- Assignment helpers (isAssignment, isAssignable, addAssignable, removeAssignable).
require(".assignment").init(ao)

return ao
