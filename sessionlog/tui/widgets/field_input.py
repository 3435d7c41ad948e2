"""A form field's input: one line of a fixed width, typed without a layout of the screen.

Textual's ``Input`` sets its virtual size (the width of its text) at every key, a
reactive that asks for a layout of the whole screen: on the session form, a reflow of
its 60-70 shown widgets for each character typed, although the text never changes a
field's size (every field on the form has a fixed width and one line; an input whose
size is ``auto`` still asks for its layout, in Textual's own code). The text still
scrolls in the field: the scroll reads the virtual size, set at once.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class FieldInput(Input):
    """An ``Input`` whose growing text repaints it but lays out nothing."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
