"""Web pages, one module per family: the public browse pages (browse), progress entries and their
evidence with the signed-in home (progress), the review queue (review), delegations (delegation),
password-less reporting links (links) and reporting rounds (rounds). activities/urls.py names them.

Views get objects, check input and call one service; what a page shows is read by
activities.selectors and querysets, and who may do what is decided only by activities.permissions
(and the services, which ask it again). An entry the user may not view is a 404, so that its
existence is not revealed; an action the user may not take is a 403 saying why."""
