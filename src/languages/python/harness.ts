import { checkFailedMarker, type HarnessComposer } from '../compose.js';

/**
 * Python: an excepthook installed after the candidate's module code ran and before the test
 * code. An AssertionError whose innermost frame in this file lies after the hook's own line was
 * raised by the test code (or a library it called, as unittest's or numpy.testing's asserts),
 * not by the candidate's functions, which all lie above it.
 */
export const pythonHarness: HarnessComposer = ({ source, testCode, marker }) => ({
  files: [
    {
      path: 'main.py',
      // Through sys.stdout, after a flush, so the marker follows everything the tests printed.
      content: `${source}\n\n${pythonCheckHook(checkFailedMarker(marker))}\n${testCode}\n\nimport sys as _verdict_sys\n_verdict_sys.stdout.flush()\n_verdict_sys.stdout.write("\\n${marker}\\n")\n_verdict_sys.stdout.flush()\n`,
    },
  ],
});

function pythonCheckHook(failed: string): string {
  return `import sys as _verdict_sys
def _verdict_excepthook(kind, error, tb, _previous=_verdict_sys.excepthook, _here=(_verdict_sys._getframe().f_code.co_filename, _verdict_sys._getframe().f_lineno)):
    line = None
    at = tb
    while at is not None:
        if at.tb_frame.f_code.co_filename == _here[0]:
            line = at.tb_lineno
        at = at.tb_next
    if issubclass(kind, AssertionError) and line is not None and line > _here[1]:
        try:
            _verdict_sys.stdout.flush()
        except BaseException:
            pass
        import os
        os.write(1, b"\\n${failed}\\n")
    _previous(kind, error, tb)
_verdict_sys.excepthook = _verdict_excepthook
`;
}
