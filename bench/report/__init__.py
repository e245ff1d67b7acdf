"""What a run found, as people and programs read it: markdown tables on stdout and in
bench/results/<UTC stamp>[-family].md, the figures in .json beside them."""
