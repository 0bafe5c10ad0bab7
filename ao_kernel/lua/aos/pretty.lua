-- Plain-text table listing (aos's `pretty.tprint`): one "key: value" line per entry, nested
-- tables listed under their key one space further in. Keys and values are concatenated as they
-- are (booleans through tostring), so function values or boolean keys raise, as in aos.
-- Entries come in `pairs` order.
local pretty = {}
pretty._version = "0.0.1"

local function entry_order(tbl)
  local found = {}
  for key in pairs(tbl) do found[#found + 1] = key end
  return found
end

function pretty.tprint(tbl, indent)
  local depth = indent or 0
  local text = ""
  for _, k in ipairs(entry_order(tbl)) do
    local v = tbl[k]
    local kind = type(v)
    local line = string.rep(" ", depth) .. k .. ": "
    if kind == "table" then
      text = text .. line .. "\n" .. pretty.tprint(v, depth + 1)
    elseif kind == "boolean" then
      text = text .. line .. tostring(v) .. "\n"
    else
      text = text .. line .. v .. "\n"
    end
  end
  return text
end

return pretty
