import sys

try:
    from kanat.cli import entry
except KeyboardInterrupt:  # Ctrl+C while kanat was still starting
    sys.stderr.write("kanat: interrupted\n")
    sys.exit(130)

entry()
