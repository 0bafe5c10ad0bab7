-- Base64 text encoding (RFC 4648 alphabet by default, "=" padding). Other alphabets come from
-- makeencoder/makedecoder, e.g. makeencoder("-", "_") for the URL-safe variant.
local base64 = {}

local LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

-- Index 0..63 -> character, 64 -> padding character.
function base64.makeencoder(c62, c63, pad)
  local enc = {}
  for i = 1, 62 do enc[i - 1] = LETTERS:sub(i, i) end
  enc[62], enc[63], enc[64] = c62 or "+", c63 or "/", pad or "="
  return enc
end

-- Byte value -> 6-bit index (padding is recognised separately).
function base64.makedecoder(c62, c63, pad)
  local dec = {}
  for i, ch in pairs(base64.makeencoder(c62, c63, pad)) do
    if i < 64 then dec[ch:byte()] = i end
  end
  dec.pad = (pad or "="):byte()
  return dec
end

local DEFAULT_ENCODER = base64.makeencoder()
local DEFAULT_DECODER = base64.makedecoder()

function base64.encode(s, encoder)
  encoder = encoder or DEFAULT_ENCODER
  local out = {}
  local len = #s
  for i = 1, len, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = (a << 16) | ((b or 0) << 8) | (c or 0)
    out[#out + 1] = encoder[(n >> 18) & 63] .. encoder[(n >> 12) & 63]
      .. (b and encoder[(n >> 6) & 63] or encoder[64])
      .. (c and encoder[n & 63] or encoder[64])
  end
  return table.concat(out)
end

-- Characters outside the alphabet (whitespace, line breaks) are skipped; padding is optional.
function base64.decode(s, decoder)
  decoder = decoder or DEFAULT_DECODER
  local out = {}
  local acc, bits = 0, 0
  for i = 1, #s do
    local c = s:byte(i)
    if c == decoder.pad then break end
    local v = decoder[c]
    if v then
      acc = ((acc << 6) | v) & 0xFFFFFF
      bits = bits + 6
      if bits >= 8 then
        bits = bits - 8
        out[#out + 1] = string.char((acc >> bits) & 0xFF)
      end
    end
  end
  return table.concat(out)
end

return base64
