"""scripts/run_notebook.py stores notebooks in a form that does not change run to run."""

import importlib.util
from pathlib import Path

import nbformat

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "run_notebook.py"
spec = importlib.util.spec_from_file_location("run_notebook", SCRIPT)
run_notebook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_notebook)


def notebook_with_outputs(outputs):
    cell = nbformat.v4.new_code_cell("print(table)", outputs=outputs)
    return nbformat.v4.new_notebook(cells=[cell])


def test_one_print_split_into_messages_is_stored_as_one_output():
    # what a busy kernel may send for one printed table
    split = [nbformat.v4.new_output("stream", name="stdout", text="loss  slope\n"),
             nbformat.v4.new_output("stream", name="stdout", text="MSE   4.1\n"),
             nbformat.v4.new_output("stream", name="stdout", text="MAE   2.0\n")]
    cell = run_notebook.normalise(notebook_with_outputs(split)).cells[0]
    assert len(cell.outputs) == 1
    assert cell.outputs[0].text == "loss  slope\nMSE   4.1\nMAE   2.0\n"


def test_streams_are_merged_only_with_the_same_stream_and_only_when_adjacent():
    outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\n"),
               nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
               nbformat.v4.new_output("stream", name="stdout", text="b\n"),
               nbformat.v4.new_output("execute_result", data={"text/plain": "1"},
                                      execution_count=1),
               nbformat.v4.new_output("stream", name="stdout", text="c\n"),
               nbformat.v4.new_output("stream", name="stdout", text="d\n")]
    cell = run_notebook.normalise(notebook_with_outputs(outputs)).cells[0]
    kinds = [(o.output_type, o.get("name"), o.get("text")) for o in cell.outputs]
    assert kinds == [("stream", "stdout", "a\n"), ("stream", "stderr", "warning\n"),
                     ("stream", "stdout", "b\n"), ("execute_result", None, None),
                     ("stream", "stdout", "c\nd\n")]
