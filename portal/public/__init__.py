"""The public information platform: what the programme publishes about suppliers (credit ratings, penalties and
their rectification, completed upgrade projects, funding granted, supply chains), the public notices of funding
with the objection form, and tips from the public, which a reviewer accepts before anything of them is shown."""
