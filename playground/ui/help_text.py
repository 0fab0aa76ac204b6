"""Text of the Help menu."""

HOW_TO_USE = """
<h3>How to use the playground</h3>
<ol>
<li><b>Pick data</b> on the left: a generated set (moons, circles, xor, blobs, spiral,
linear, checkerboard) with its number of samples, noise and test share, or draw your own.
<i>Regenerate</i> moves on to the next seed.</li>
<li><b>Shape the network</b> on the right: hidden layers as <code>8, 8</code> (or the
+/− buttons), input features, activation, loss, optimiser, learning rate, batch size,
regularisation, dropout and batch norm. Changing the architecture resets the weights;
the optimiser and its rates apply from the next step.</li>
<li><b>Press Play</b> (Space). The centre plot colours each region by the class the
network predicts, paler where it is unsure; the dark line is the boundary. Filled dots
are training points, ringed dots test points. The curves below the network show loss and
accuracy per epoch.</li>
</ol>
<h4>Drawing</h4>
<p>Turn on <b>Draw</b>, choose a class with the coloured buttons and click on the plot
to add a point, or drag to spray a few. Right-click or Shift+click erases nearby points;
<i>Clear</i> removes all. Your points are a dataset like any other: they are split into
train and test and can be saved with <i>File &gt; Save data as CSV</i>. Out of draw mode,
dragging pans and the wheel zooms; the region is recomputed for what you see.</p>
<h4>Looking inside, comparing, sweeping</h4>
<p><i>View &gt; Inside the Network…</i> (Ctrl+I) shows each layer's activations and
gradients while training, a gradient check of the current network and a hidden layer's
view of the data; <i>View &gt; Loss landscape…</i> maps the loss around the current
weights. The other tabs: <b>MNIST</b> trains on handwritten digits and shows the first
layer's filters; <b>Compare</b> trains the network under 2 to 4 settings side by side,
or runs one of the book's experiments; <b>Lab</b> shows optimisers' paths on 2-D
functions; <b>Sweep</b> searches learning rates and other settings on Dask worker
processes. A compared run or a swept trial opens back here with its weights.</p>
<h4>Keys</h4>
<table>
<tr><td><b>Space</b></td><td>play / pause</td></tr>
<tr><td><b>S</b></td><td>one more epoch</td></tr>
<tr><td><b>R</b></td><td>reset the weights</td></tr>
<tr><td><b>Ctrl+O / Ctrl+S</b></td><td>open / save data (CSV: x1,x2,label)</td></tr>
<tr><td><b>Ctrl+E</b></td><td>export the plots as PNG or SVG</td></tr>
</table>
<p>If training diverges (the loss becomes NaN) it pauses and the status bar says why:
try a smaller learning rate.</p>
"""

ABOUT = """
<h3>NumPy Neural Playground</h3>
<p>A desktop neural-network playground in the spirit of the TensorFlow Playground.
Every layer, loss and optimiser is written from scratch in NumPy; the window is PySide6
with pyqtgraph plots. The grey baseline line is scikit-learn's logistic regression.</p>
<p>MIT licence.</p>
{versions}
"""


def about_html() -> str:
    """The About text with the versions in use: Python, Qt, PySide6, NumPy, pyqtgraph
    and the BLAS library NumPy calls (what a bug report needs)."""
    import platform

    import numpy
    import pyqtgraph
    import PySide6
    from PySide6.QtCore import qVersion

    blas = "unknown"
    try:
        from threadpoolctl import threadpool_info

        libs = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if libs:
            b = libs[0]
            blas = (f"{b.get('internal_api', '?')} {b.get('version') or ''} "
                    f"({b.get('num_threads')} threads)").replace("  ", " ")
    except Exception:  # noqa: BLE001 - an About box never fails over a version
        pass
    rows = (("Python", platform.python_version()), ("Qt", qVersion()),
            ("PySide6", PySide6.__version__), ("NumPy", numpy.__version__),
            ("pyqtgraph", pyqtgraph.__version__), ("BLAS", blas))
    table = "".join(f"<tr><td>{k}</td><td>&nbsp;{v}</td></tr>" for k, v in rows)
    return ABOUT.format(versions=f"<table>{table}</table>")
