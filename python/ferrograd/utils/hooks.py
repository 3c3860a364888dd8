"""``RemovableHandle``: what registering a module or optimizer hook returns.

>>> from collections import OrderedDict
>>> hooks = OrderedDict()
>>> handle = RemovableHandle(hooks)
>>> hooks[handle.id] = print
>>> handle.remove()
>>> len(hooks)
0
"""

from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict
from typing import Any


class RemovableHandle:
    """Removes one hook (keyed by ``self.id``) from the dicts it was registered in. Also a
    context manager that removes the hook on exit. The dicts are held weakly, so a handle
    does not keep its module alive."""

    _ids = itertools.count()

    def __init__(self, hooks_dict: OrderedDict[int, Any], *, extra_dict: Any = None) -> None:
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id: int = next(RemovableHandle._ids)
        extra = extra_dict if isinstance(extra_dict, (list, tuple)) else [extra_dict] if extra_dict else []
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra)

    def remove(self) -> None:
        """Unregisters the hook; removing twice is harmless."""
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            hooks = ref()
            if hooks is not None:
                hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
