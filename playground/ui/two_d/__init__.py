"""The 2-D page's views: data and network panels, the page that lays out the plots."""
