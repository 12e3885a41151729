"""Model step: CEs, VOViews, clusters and sites, the GLUE 1.3 and 2.0 builders that join
directory entries into them, and the questions asked of a CE."""
