"""Campaign content: the pages people read and the blocks editors build them from."""
