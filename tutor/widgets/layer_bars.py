"""One progress bar per image layer, as `docker push` and `docker pull` show them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

# Statuses after which a layer has nothing left to transfer.
FINISHED = {"pushed", "exists", "mounted", "pulled", "complete", "already"}
LABELS = {
    "preparing": "Preparing", "waiting": "Waiting", "pushing": "Pushing", "pushed": "Pushed",
    "exists": "Layer already exists", "mounted": "Mounted", "downloading": "Downloading",
    "verifying": "Verifying", "extracting": "Extracting", "pulled": "Pull complete", "complete": "Complete",
    "stopped": "Stopped",
}


class LayerRow(Horizontal):
    DEFAULT_CSS = """
    LayerRow { height: 1; }
    LayerRow > .layer-id { width: 14; color: $text-muted; }
    LayerRow > ProgressBar { width: 1fr; }
    LayerRow > .layer-status { width: 22; padding-left: 1; }
    LayerRow.-reused > .layer-status { color: $success; }
    LayerRow.-stopped > .layer-status { color: $error; }
    """

    def __init__(self, layer: str) -> None:
        super().__init__()
        self.layer_id = layer
        # The latest state; applied on mount too, since updates can arrive before the children exist.
        self._state: tuple[str, int | None, int | None] = ("waiting", None, None)

    def compose(self) -> ComposeResult:
        # Imported with the first layer of a push or pull, not at start-up when there is none.
        from textual.widgets import ProgressBar

        yield Label(self.layer_id[:12], classes="layer-id")
        yield ProgressBar(total=None, show_eta=False)
        yield Label("", classes="layer-status")

    def on_mount(self) -> None:
        self._apply()

    @property
    def status_label(self) -> str:
        return LABELS.get(self._state[0], self._state[0].capitalize())

    def update_layer(self, status: str, current: int | None, total: int | None) -> None:
        self._state = (status, current, total)
        if self.is_mounted:
            self._apply()

    def _apply(self) -> None:
        from textual.widgets import ProgressBar  # loaded already: compose imported it

        status, current, total = self._state
        bars = self.query(ProgressBar)
        if not bars:  # mounted, children not yet: on_mount of the bar's row applies the state again
            return
        bar = bars.first()
        if status in FINISHED:
            bar.update(total=1, progress=1)
        elif status == "stopped":
            # A determinate bar does not animate: an ended transfer must not look alive.
            bar.update(total=total or 1, progress=min(current or 0, total or 1))
        elif total:
            bar.update(total=total, progress=min(current or 0, total))
        self.set_class(status in {"exists", "mounted", "already"}, "-reused")
        self.set_class(status == "stopped", "-stopped")
        self.query_one(".layer-status", Label).update(self.status_label)


class LayerBars(Vertical):
    """Rows appear as layers are first mentioned; updates only touch their own row."""

    DEFAULT_CSS = """
    LayerBars { height: auto; max-height: 8; overflow-y: auto; }
    LayerBars:empty { display: none; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._layer_rows: dict[str, LayerRow] = {}

    def update_layer(self, layer: str, status: str, current: int | None = None, total: int | None = None) -> None:
        row = self._layer_rows.get(layer)
        if row is None:
            row = self._layer_rows[layer] = LayerRow(layer)
            self.mount(row)
        row.update_layer(status, current, total)

    def stop(self) -> None:
        """The action ended (failed or cancelled): layers still moving are stopped where they were."""
        for row in self._layer_rows.values():
            status, current, total = row._state
            if status not in FINISHED:
                row.update_layer("stopped", current, total)

    def clear(self) -> None:
        self._layer_rows.clear()
        self.remove_children()

    @property
    def layer_states(self) -> dict[str, str]:
        """Layer id -> the status label shown (for tests and the screen's summary)."""
        return {layer: row.status_label for layer, row in self._layer_rows.items()}
