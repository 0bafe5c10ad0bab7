-- Plain-text table listing: one "key: value" line per entry, nested tables indented one space
-- per level under their key. Keys are sorted so the listing is deterministic.
local pretty = {}

local function key_before(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then
    if ta == "number" or tb == "number" then return ta == "number" end
    return ta < tb
  end
  if ta == "number" or ta == "string" then return a < b end
  return false
end

local function text_of(v)
  local kind = type(v)
  if kind == "function" or kind == "thread" or kind == "userdata" then
    return "<" .. kind .. ">" -- addresses would change between runs
  end
  return tostring(v)
end

local function listing(t, depth, out, open)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, key_before)
  local pad = string.rep(" ", depth)
  for _, k in ipairs(keys) do
    local v = t[k]
    local head = pad .. text_of(k) .. ": "
    if type(v) == "table" and not open[v] then
      out[#out + 1] = head .. "\n"
      open[v] = true
      listing(v, depth + 1, out, open)
      open[v] = nil
    elseif type(v) == "table" then
      out[#out + 1] = head .. "<circular reference>\n"
    else
      out[#out + 1] = head .. text_of(v) .. "\n"
    end
  end
end

function pretty.tprint(t, indent)
  if type(t) ~= "table" then return text_of(t) end
  local out = {}
  listing(t, indent or 0, out, { [t] = true })
  return table.concat(out)
end

return pretty
