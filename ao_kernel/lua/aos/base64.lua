-- Base64 text encoding (RFC 4648 alphabet by default, "=" padding), behaving like aos's module.
-- An encoder maps 0..63 (and 64, the padding) to character codes; a decoder maps character codes
-- back. makeencoder("-", "_") and makedecoder("-", "_") give the URL-safe variant.
-- Decoding drops every character that is not alphanumeric, one of the two extra characters or
-- "=", then reads groups of four; input that does not end on a whole group (no padding) fails
-- with Lua's arithmetic-on-nil error, as in aos. The third argument of encode/decode (caching in
-- aos) changes nothing here but the wording of that error.
local base64 = {}

local LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

function base64.makeencoder(s62, s63, spad)
  local codes = { LETTERS:byte(1, -1) }
  local encoder = {}
  for i = 1, #codes do encoder[i - 1] = codes[i] end
  encoder[62] = (s62 or "+"):byte()
  encoder[63] = (s63 or "/"):byte()
  encoder[64] = (spad or "="):byte()
  return encoder
end

function base64.makedecoder(s62, s63, spad)
  local decoder = {}
  for index, code in pairs(base64.makeencoder(s62, s63, spad)) do decoder[code] = index end
  return decoder
end

local STANDARD_ENCODER = base64.makeencoder()
local STANDARD_DECODER = base64.makedecoder()
local char = string.char

function base64.encode(str, encoder, usecaching) -- luacheck: no unused args
  local size = #str
  encoder = encoder or STANDARD_ENCODER
  local chunks = {}
  local whole = size - size % 3
  for i = 1, whole, 3 do
    local x, y, z = str:byte(i, i + 2)
    local n = x * 0x10000 + y * 0x100 + z
    chunks[#chunks + 1] = char(encoder[(n >> 18) & 63], encoder[(n >> 12) & 63],
      encoder[(n >> 6) & 63], encoder[n & 63])
  end
  local rest = size - whole
  if rest == 2 then
    local x, y = str:byte(whole + 1, whole + 2)
    local n = x * 0x10000 + y * 0x100
    chunks[#chunks + 1] = char(encoder[(n >> 18) & 63], encoder[(n >> 12) & 63],
      encoder[(n >> 6) & 63], encoder[64])
  elseif rest == 1 then
    local n = str:byte(whole + 1) * 0x10000
    chunks[#chunks + 1] = char(encoder[(n >> 18) & 63], encoder[(n >> 12) & 63], encoder[64],
      encoder[64])
  end
  return table.concat(chunks)
end

-- Characters kept before decoding: letters, digits, the decoder's two extra characters and "=".
local function keep_pattern(decoder)
  local plus, slash
  for code, index in pairs(decoder) do
    if index == 62 then plus = code elseif index == 63 then slash = code end
  end
  return "[^%w%" .. char(plus) .. "%" .. char(slash) .. "%=]"
end

local function three_bytes(n, count)
  return char((n >> 16) & 255, (n >> 8) & 255, n & 255):sub(1, count)
end

function base64.decode(b64, decoder, usecaching)
  decoder = decoder or STANDARD_DECODER
  local pattern = keep_pattern(decoder)
  b64 = b64:gsub(pattern, "")
  local total = #b64
  local pads = 0
  if b64:sub(-2) == "==" then pads = 2 elseif b64:sub(-1) == "=" then pads = 1 end

  local out = {}
  local last = pads > 0 and total - 4 or total
  for i = 1, last, 4 do
    local w, x, y, z = b64:byte(i, i + 3)
    local n
    if usecaching then
      local a, b, c, d = decoder[w], decoder[x], decoder[y], decoder[z]
      n = a * 0x40000 + b * 0x1000 + c * 0x40 + d
    else
      n = decoder[w] * 0x40000 + decoder[x] * 0x1000 + decoder[y] * 0x40 + decoder[z]
    end
    out[#out + 1] = three_bytes(n, 3)
  end
  if pads == 1 then
    local w, x, y = b64:byte(total - 3, total - 1)
    out[#out + 1] = three_bytes(decoder[w] * 0x40000 + decoder[x] * 0x1000 + decoder[y] * 0x40, 2)
  elseif pads == 2 then
    local w, x = b64:byte(total - 3, total - 2)
    out[#out + 1] = three_bytes(decoder[w] * 0x40000 + decoder[x] * 0x1000, 1)
  end
  return table.concat(out)
end

return base64
