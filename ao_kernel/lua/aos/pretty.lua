-- Plain-text table listing (aos's `pretty.tprint`): one "key: value" line per entry, nested
-- tables listed under their key one space further in. Keys and values are concatenated as they
-- are (booleans through tostring), so function values or boolean keys raise, as in aos.
-- Entry order: `pairs` order when every key is a number (it only depends on how the table was
-- built), otherwise numbers ascending then the rest sorted, so output is the same on every run.
local pretty = { _version = "0.0.1" }

local function entry_order(tbl)
  local found, only_numbers = {}, true
  for key in pairs(tbl) do
    found[#found + 1] = key
    only_numbers = only_numbers and type(key) == "number"
  end
  if not only_numbers then
    table.sort(found, function(a, b)
      local ta, tb = type(a), type(b)
      if ta ~= tb then return ta < tb end
      if ta == "number" or ta == "string" then return a < b end
      return false
    end)
  end
  return found
end

function pretty.tprint(tbl, indent)
  indent = indent or 0
  local text = ""
  for _, k in ipairs(entry_order(tbl)) do
    local v = tbl[k]
    local line = string.rep(" ", indent) .. k .. ": "
    if type(v) == "table" then
      text = text .. line .. "\n" .. pretty.tprint(v, indent + 1)
    elseif type(v) == "boolean" then
      text = text .. line .. tostring(v) .. "\n"
    else
      text = text .. line .. v .. "\n"
    end
  end
  return text
end

return pretty
