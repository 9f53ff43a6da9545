"""Page plumbing shared by every server-rendered page: templates, filters, the signed-in person."""
