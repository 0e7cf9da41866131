--[[
quarto-compat.lua: the few Quarto features folge's reports use, for plain pandoc.

folge writes markdown-only .qmd files that `quarto render` handles natively. Where quarto
is not installed, folge renders the same files with pandoc and this filter:
  * figures `![caption](file.svg){#fig-x fig-alt="..."}`: numbered captions, the
    fig-alt text as the image's alt text (HTML) or `alt:` (typst);
  * tables with a caption `: caption {#tbl-x}`: numbered captions, column widths from
    their content;
  * cross-references `@fig-x`, `@tbl-x`: links reading "Figur 1", "Tabell 2" ...
    (the words come from the document's metadata: fig-prefix, tbl-prefix);
  * callouts `::: {.callout-note title="..."}`: a titled, bordered note;
  * the summary page `::: {.summary}`: in typst a block in a slightly smaller type, so
    that the whole summary fits the first page (HTML styles it by its class).
No Python here: the evaluator may read and adapt it.
]]

local is_typst = FORMAT:match("typst") ~= nil
local numbers = {}
local fig_prefix, tbl_prefix = "Figur", "Tabell"

local function typst_string(s)
  return '"' .. s:gsub("\\", "\\\\"):gsub('"', '\\"') .. '"'
end

local function read_meta(meta)
  if meta["fig-prefix"] then fig_prefix = pandoc.utils.stringify(meta["fig-prefix"]) end
  if meta["tbl-prefix"] then tbl_prefix = pandoc.utils.stringify(meta["tbl-prefix"]) end
end

local function count_figure(fig)
  if fig.identifier:match("^fig%-") then
    numbers.fig = (numbers.fig or 0) + 1
    numbers[fig.identifier] = fig_prefix .. "\u{00A0}" .. numbers.fig
  end
end

local function count_table(tbl)
  if tbl.identifier:match("^tbl%-") then
    numbers.tbl = (numbers.tbl or 0) + 1
    numbers[tbl.identifier] = tbl_prefix .. "\u{00A0}" .. numbers.tbl
  end
end

local function first_image(fig)
  local found
  fig:walk({ Image = function(img) found = found or img end })
  return found
end

local function figure(fig)
  local img = first_image(fig)
  if not img then return nil end
  local alt = img.attributes["fig-alt"] or pandoc.utils.stringify(img.caption)
  local caption = pandoc.utils.stringify(fig.caption.long)
  if is_typst then
    local code = "#figure(image(" .. typst_string(img.src) .. ", alt: " .. typst_string(alt)
      .. ", width: 100%), caption: [#" .. typst_string(caption) .. "])"
    if fig.identifier ~= "" then code = code .. " <" .. fig.identifier .. ">" end
    return pandoc.RawBlock("typst", code)
  end
  img.attributes["fig-alt"] = nil
  img.caption = pandoc.Inlines(alt)
  local label = numbers[fig.identifier]
  if label then
    fig.caption.long = { pandoc.Plain({ pandoc.Strong(label .. ":"), pandoc.Space(),
      table.unpack(pandoc.utils.blocks_to_inlines(fig.caption.long)) }) }
  end
  fig.content = { pandoc.Plain({ img }) }
  return fig
end

local function tbl(t)
  -- column widths from the content, not from the dashes of the pipe table's rule: typst
  -- sizes `auto` columns to what they hold, browsers do the same without a colgroup
  for i, spec in ipairs(t.colspecs) do
    t.colspecs[i] = { spec[1], nil }
  end
  local label = numbers[t.identifier]
  if label and not is_typst then
    t.caption.long = { pandoc.Plain({ pandoc.Strong(label .. ":"), pandoc.Space(),
      table.unpack(pandoc.utils.blocks_to_inlines(t.caption.long)) }) }
  end
  return t
end

local function cite(c)
  local id = c.citations[1].id
  local label = numbers[id]
  if #c.citations == 1 and label then
    return pandoc.Link(label, "#" .. id)
  end
  return nil
end

local function summary(div)
  if not is_typst then return nil end
  local blocks = { pandoc.RawBlock("typst", "#block(width: 100%)[#set text(size: 9pt)\n"
    .. "#show heading.where(level: 3): set text(size: 10pt)\n#show heading.where(level: 3): set block(above: 0.9em, below: 0.5em)") }
  for _, b in ipairs(div.content) do table.insert(blocks, b) end
  table.insert(blocks, pandoc.RawBlock("typst", "]"))
  return blocks
end

local function callout(div)
  if div.classes:includes("summary") then return summary(div) end
  local kind
  for _, class in ipairs(div.classes) do
    kind = kind or class:match("^callout%-(%a+)$")
  end
  if not kind then return nil end
  local title = div.attributes["title"]
  div.attributes["title"] = nil
  if is_typst then
    local blocks = { pandoc.RawBlock("typst", "#block(width: 100%, inset: 8pt, radius: 2pt, "
      .. "stroke: (left: 3pt + rgb(\"#7a4b00\"), rest: 0.5pt + luma(160)))[") }
    if title then table.insert(blocks, pandoc.Para({ pandoc.Strong(title) })) end
    for _, b in ipairs(div.content) do table.insert(blocks, b) end
    table.insert(blocks, pandoc.RawBlock("typst", "]"))
    return blocks
  end
  div.attributes["role"] = "note"
  if title then
    table.insert(div.content, 1, pandoc.Div({ pandoc.Plain({ pandoc.Strong(title) }) },
      pandoc.Attr("", { "callout-title" })))
  end
  div.classes:insert("callout")
  return div
end

return {
  { Meta = read_meta },
  { Figure = count_figure, Table = count_table },
  { Figure = figure, Table = tbl, Cite = cite, Div = callout },
}
