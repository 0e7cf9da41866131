--[[
_render.lua: one pandoc run per document, both outputs (run with `pandoc lua`).

  pandoc lua _render.lua DOC.qmd FILTER.lua [--html OUT.html CSS] [--typst OUT.typ TEMPLATE HEADER]

Reads the markdown-only .qmd once, then for each output applies the project's filter
(reports/filters/quarto-compat.lua, with FORMAT set as pandoc sets it for a filter) and
writes:
  * self-contained HTML: the stylesheet in a <style> element, every image a data: URI
    (what `pandoc --embed-resources --css CSS` gives, without a second process);
  * typst source with folge's template and header (what `pandoc -t typst --template
    TEMPLATE --include-in-header HEADER` gives).
Paths in the document are relative to its folder; run it from there.
]]

local function read_file(path)
  local handle = assert(io.open(path, "rb"))
  local text = handle:read("a")
  handle:close()
  return text
end

local function write_file(path, text)
  local handle = assert(io.open(path, "wb"))
  handle:write(text)
  handle:close()
end

local function filtered(doc, filter, format)
  return pandoc.utils.run_lua_filter(doc, filter, setmetatable({ FORMAT = format }, { __index = _G }))
end

local MIME = { svg = "image/svg+xml", png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg", gif = "image/gif" }

local function embed_images(doc)
  return doc:walk({
    Image = function(img)
      if img.src:match("^data:") or img.src:match("^%a+://") then return nil end
      local ext = (img.src:match("%.(%w+)$") or ""):lower()
      img.src = pandoc.mediabag.make_data_uri(MIME[ext] or "application/octet-stream", read_file(img.src))
      return img
    end,
  })
end

local qmd, filter = arg[1], arg[2]
local source = pandoc.read(read_file(qmd), "markdown")
local i = 3
while arg[i] do
  if arg[i] == "--html" then
    local out, css = arg[i + 1], arg[i + 2]
    local doc = embed_images(filtered(source, filter, "html5"))
    local template = pandoc.template.compile(pandoc.template.default("html5"))
    local html = pandoc.write(doc, "html5", {
      template = template,
      variables = { ["header-includes"] = "<style>\n" .. read_file(css) .. "\n</style>" },
    })
    write_file(out, html)
    i = i + 3
  elseif arg[i] == "--typst" then
    local out, template_path, header = arg[i + 1], arg[i + 2], arg[i + 3]
    local doc = filtered(source, filter, "typst")
    local template = pandoc.template.compile(read_file(template_path), template_path)
    local typ = pandoc.write(doc, "typst", {
      template = template,
      variables = { ["header-includes"] = read_file(header) },
    })
    write_file(out, typ)
    i = i + 4
  else
    error("unknown argument " .. arg[i])
  end
end
