"""Running many articles: the batch driver, progress, output formats, resume and costs."""
