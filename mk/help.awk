# `make help`: one line per target, from the comment block right above its rule, whose first
# line reads `# NAME: what it does`. Prints NAME and that first line's text, in file order.
# The rule must follow the block directly and start with NAME (or be a $(VAR) target).

function flush_block() { name = ""; text = "" }

/^# [A-Za-z0-9][A-Za-z0-9_.%-]*: / {
    if (!in_block) {
        name = substr($2, 1, length($2) - 1)
        text = $0
        sub(/^# [^:]+: */, "", text)
    }
    in_block = 1
    next
}
/^#/ { if (!in_block) flush_block(); in_block = 1; next }
{
    if (name != "" && (index($0, name ":") == 1 || index($0, name " ") == 1 || /^\$\(/))
        printf "  %-24s %s\n", name, text
    flush_block()
    in_block = 0
}
