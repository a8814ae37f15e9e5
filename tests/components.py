"""Reading Dash components in tests the way a reader meets them: every node, and the text they hold."""


def walk(node):
    """Every component and string under ``node`` (lists and tuples flattened), the node itself first."""
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from walk(item)
        return
    yield node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, (list, tuple)) else ([children] if children is not None else []):
        yield from walk(child)


def text_of(node) -> str:
    """The strings under ``node``, joined by spaces."""
    return " ".join(n for n in walk(node) if isinstance(n, str))
